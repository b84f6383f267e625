//! Exits with status 0 (true.c): the program that `layout1.execute` and the audit tests copy
//! into the layout and execute.

fn main() {}
