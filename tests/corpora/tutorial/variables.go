// In Go, variables are explicitly declared and used by
// the compiler to e.g. check type-correctness of calls.
package main

import "fmt"

func main() {
	// `var` declares 1 or more variables.
	var a = "initial"
	fmt.Println(a)

	var b, c int = 1, 2
	fmt.Println(b, c)

	// Go will infer the type of initialized variables.
	var d = true
	fmt.Println(d)

	// Variables declared without an initialization are
	// zero-valued.
	var e int
	fmt.Println(e)

	// The `:=` syntax is shorthand for declaring and
	// initializing a variable.
	f := "apple"
	fmt.Println(f)
}
