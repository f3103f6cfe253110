// ramiel-opt
builtin.module attributes {value = 0 : i1000000000000000000000000000000} {
}
