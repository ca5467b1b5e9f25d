# @summary Install svcroute, write its manifest, run the service.
#
# The manifest is rendered from the parameters and checked by `svcroute check` before it
# replaces the file (a refused manifest leaves the file as it was). Drop-ins: svcroute::service.
#
# @example
#   class { 'svcroute':
#     daemon   => 'frr',
#     router   => { 'asn' => 4200000101, 'router_id' => '192.0.2.1' },
#     peers    => [{ 'name' => 'tor1', 'interface' => 'eth0', 'remote_asn' => 65000 }],
#     policy   => { 'allowed_prefixes' => ['192.0.2.0/24'], 'accept' => 'default-only' },
#   }
#
# @param daemon the routing daemon svcroute drives
# @param router router block of the manifest (asn, optional router_id)
# @param peers BGP peers (see `svcroute schema`)
# @param policy policy block (allowed_prefixes, accept, ...)
# @param services services announced from the main manifest (drop-ins: svcroute::service)
# @param manifest_extra further top-level blocks of the manifest (e.g. supervisor, defaults)
# @param package_source a .deb or .rpm file to install instead of the configured repositories
# @param package_ensure ensure of the svcroute package
# @param config_dir where the manifest and services.d live
# @param manage_service manage svcroute.service; false where systemd is not PID 1 (containers, CI)
# @param service_enable enable svcroute.service at boot
# @param service_ensure run or stop svcroute.service
class svcroute (
  Enum['frr', 'bird'] $daemon,
  Struct[{ asn => Integer[1, 4294967295], Optional[router_id] => String[1] }] $router,
  Array[Hash[String[1], Data], 1] $peers,
  Hash[String[1], Data] $policy,
  Array[Hash[String[1], Data]] $services = [],
  Hash[String[1], Data] $manifest_extra = {},
  Optional[Pattern[/\A(\/|https?:\/\/)/]] $package_source = undef,
  String[1] $package_ensure = 'installed',
  Pattern[/\A\//] $config_dir = '/etc/svcroute',
  Boolean $manage_service = true,
  Boolean $service_enable = true,
  Enum['running', 'stopped'] $service_ensure = 'running',
) {
  $provider = $package_source ? {
    undef   => undef,
    default => $facts['os']['family'] ? {
      'Debian' => 'apt',
      'RedHat' => 'dnf',
      default  => undef,
    },
  }
  package { 'svcroute':
    ensure   => $package_ensure,
    source   => $package_source,
    provider => $provider,
  }

  $base = {
    'version' => 1,
    'daemon'  => $daemon,
    'router'  => $router,
    'peers'   => $peers,
    'policy'  => $policy,
  }
  $manifest = $base + ($services.empty ? { true => {}, default => { 'services' => $services } }) + $manifest_extra

  # Changes reload the supervisor (SIGHUP) rather than restart it.
  $reload = $manage_service ? {
    true    => Service['svcroute'],
    default => [],
  }

  # Written by root only, read by the service and its operators (the svcroute group), as the
  # package installs them; svcroute refuses files anyone else may change.
  file { [$config_dir, "${config_dir}/services.d"]:
    ensure  => directory,
    owner   => 'root',
    group   => 'svcroute',
    mode    => '0750',
    require => Package['svcroute'],
  }

  file { "${config_dir}/svcroute.yaml":
    ensure       => file,
    owner        => 'root',
    group        => 'svcroute',
    mode         => '0640',
    content      => "# Managed by Puppet (class svcroute). Validate by hand: svcroute check\n${svcroute::to_json($manifest)}\n",
    validate_cmd => "/usr/bin/svcroute check --manifest % --drop-ins ${config_dir}/services.d",
    require      => [Package['svcroute'], File["${config_dir}/services.d"]],
    notify       => $reload,
  }

  if $manage_service {
    service { 'svcroute':
      ensure  => $service_ensure,
      enable  => $service_enable,
      restart => '/bin/systemctl reload svcroute.service',
    }
  }
}
