// No function to lower.
builtin.module {
}
