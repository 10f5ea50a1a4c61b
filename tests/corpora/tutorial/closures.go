// Go supports anonymous functions, which can form
// closures over variables of the enclosing function.
package main

import "fmt"

func intSeq() func() int {
	i := 0
	return func() int {
		i++
		return i
	}
}

func main() {
	nextInt := intSeq()

	fmt.Println(nextInt())
	fmt.Println(nextInt())
	fmt.Println(nextInt())

	// The state is unique to each function value.
	newInts := intSeq()
	fmt.Println(newInts())
}
