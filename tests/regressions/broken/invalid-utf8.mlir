// ramiel-opt
builtin.module attributes {note = "café"} {
}
