# Must be refused by validate_cmd (the drop-in repeats the service name dns) and leave
# /etc/svcroute/services.d/web.yaml as it was. Run after apply.pp.
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
  manage_service => false,
}

svcroute::service { 'web':
  prefixes => ['192.0.2.80/32'],
  options  => { 'name' => 'dns' },
}
