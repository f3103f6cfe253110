// ramiel-opt
builtin.module attributes {note = "an unterminated string literal on a long line of text
}
