# Must be refused by validate_cmd (a prefix outside policy.allowed_prefixes) and leave
# /etc/svcroute/svcroute.yaml as it was. Run after apply.pp.
class { 'svcroute':
  daemon         => 'bird',
  router         => { 'asn' => 4200000101, 'router_id' => '192.0.2.1' },
  peers          => [{ 'name' => 'tor1', 'address' => '169.254.0.1', 'remote_asn' => 65000 }],
  policy         => { 'allowed_prefixes' => ['192.0.2.0/24'], 'accept' => 'default-only' },
  services       => [{ 'name' => 'dns', 'prefixes' => ['198.51.100.53/32'] }],
  package_source => $facts['svcroute_package'],
  manage_service => false,
}
