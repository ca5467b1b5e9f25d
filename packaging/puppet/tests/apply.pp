# CI test of the svcroute module against this host, with a freshly built package:
#   FACTER_svcroute_package=$PWD/packaging/out/svcroute_<version>_all.deb \
#     puppet apply --modulepath packaging/puppet packaging/puppet/tests/apply.pp
# The service is not touched (CI machines have no systemd as PID 1); on a systemd host set
# FACTER_svcroute_manage_service=true to start it too (it then rewrites /etc/bird/bird.conf).
class { 'svcroute':
  daemon         => 'bird',
  router         => { 'asn' => 4200000101, 'router_id' => '192.0.2.1' },
  peers          => [{ 'name' => 'tor1', 'address' => '169.254.0.1', 'remote_asn' => 65000 }],
  policy         => { 'allowed_prefixes' => ['192.0.2.0/24', '2001:db8:100::/48'], 'accept' => 'default-only' },
  services       => [{
    'name'     => 'dns',
    'prefixes' => ['192.0.2.53/32'],
    'checks'   => [{ 'type' => 'tcp', 'host' => '127.0.0.1', 'port' => 53 }],
  }],
  package_source => $facts['svcroute_package'],
  manage_service => $facts['svcroute_manage_service'] == 'true',
}

svcroute::service { 'web':
  prefixes => ['192.0.2.80/32'],
  checks   => [{ 'type' => 'tcp', 'host' => '127.0.0.1', 'port' => 80 }],
  options  => { 'rise' => 2, 'fall' => 2 },
}
