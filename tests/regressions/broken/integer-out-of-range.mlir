// ramiel-opt
builtin.module attributes {value = 100000000000000000000 : i64} {
}
