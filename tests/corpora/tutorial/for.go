// `for` is Go's only looping construct. Here are some
// basic types of `for` loops.
package main

import "fmt"

func main() {
	// The most basic type, with a single condition.
	i := 1
	for i <= 3 {
		fmt.Println(i)
		i = i + 1
	}

	// A classic initial/condition/after loop.
	for j := 0; j < 3; j++ {
		fmt.Println(j)
	}

	// Range over an integer (Go 1.22+).
	for i := range 3 {
		fmt.Println("range", i)
	}

	// `continue` skips to the next iteration.
	for n := range 6 {
		if n%2 == 0 {
			continue
		}
		fmt.Println(n)
	}
}
