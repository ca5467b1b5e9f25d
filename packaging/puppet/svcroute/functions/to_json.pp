# @summary Render data as indented JSON, which svcroute reads as YAML (JSON is a subset of it).
#   Puppet 7 has no YAML or JSON serializer without stdlib.
# @param value the data to render
# @param indent the indentation of the current nesting level
# @return [String] the JSON text
function svcroute::to_json(Data $value, String $indent = '') >> String {
  $inner = "${indent}  "
  case $value {
    Hash: {
      if $value.empty {
        '{}'
      } else {
        $members = $value.map |$k, $v| { "${inner}${svcroute::to_json(String($k))}: ${svcroute::to_json($v, $inner)}" }
        "{\n${members.join(",\n")}\n${indent}}"
      }
    }
    Array: {
      if $value.empty {
        '[]'
      } else {
        $items = $value.map |$v| { "${inner}${svcroute::to_json($v, $inner)}" }
        "[\n${items.join(",\n")}\n${indent}]"
      }
    }
    String: {
      $escaped = $value.regsubst('\\\\', '\\\\\\\\', 'G').regsubst('"', '\\"', 'G').regsubst("\n", '\\n', 'G').regsubst("\t", '\\t', 'G')
      "\"${escaped}\""
    }
    Boolean, Numeric: { String($value) }
    Undef: { 'null' }
    default: { fail("svcroute::to_json: cannot render ${value}") }
  }
}
