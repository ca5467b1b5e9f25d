# @summary One service in a drop-in file, services.d/<title>.yaml.
#
# The drop-in is checked together with the manifest and the other drop-ins before it replaces
# the file (/usr/lib/svcroute/check-drop-in); a refused one leaves the file as it was.
#
# @example
#   svcroute::service { 'web':
#     prefixes => ['192.0.2.80/32'],
#     checks   => [{ 'type' => 'http', 'url' => 'http://127.0.0.1/health' }],
#   }
#
# @param prefixes the service's prefixes (/32 or /128, inside policy.allowed_prefixes)
# @param checks health checks (see `svcroute schema`)
# @param options further fields of the service (interval, rise, fall, on_failure, ...)
# @param ensure present, or absent to remove the drop-in
define svcroute::service (
  Array[String[1], 1] $prefixes,
  Array[Hash[String[1], Data]] $checks = [],
  Hash[String[1], Data] $options = {},
  Enum['present', 'absent'] $ensure = 'present',
) {
  if $title !~ /\A[A-Za-z0-9][A-Za-z0-9_-]*\z/ {
    fail("svcroute::service: '${title}' is not a valid service and file name (letters, digits, _ and -)")
  }
  include svcroute
  $dir = "${svcroute::config_dir}/services.d"
  $file_ensure = $ensure ? {
    'present' => file,
    default   => absent,
  }
  $service = { 'name' => $title, 'prefixes' => $prefixes } + ($checks.empty ? { true => {}, default => { 'checks' => $checks } }) + $options

  file { "${dir}/${title}.yaml":
    ensure       => $file_ensure,
    owner        => 'root',
    group        => 'svcroute',
    mode         => '0640',
    content      => "# Managed by Puppet (svcroute::service[${title}])\n${svcroute::to_json({ 'services' => [$service] })}\n",
    validate_cmd => "/usr/lib/svcroute/check-drop-in % ${title}.yaml ${svcroute::config_dir}/svcroute.yaml",
    require      => [Package['svcroute'], File["${svcroute::config_dir}/svcroute.yaml"]],
    notify       => $svcroute::reload,
  }
}
