// Starting with Go 1.23, functions with the right
// signature can be used as iterators with `range`.
package main

import (
	"fmt"
	"iter"
)

func genFib() iter.Seq[int] {
	return func(yield func(int) bool) {
		a, b := 1, 1
		for {
			if !yield(a) {
				return
			}
			a, b = b, a+b
		}
	}
}

func main() {
	for n := range genFib() {
		if n >= 50 {
			break
		}
		fmt.Print(n, " ")
	}
	fmt.Println()
}
