// Go makes it possible to _recover_ from a panic, by
// using the `recover` built-in function inside a deferred
// function.
package main

import "fmt"

func mayPanic() {
	panic("a problem")
}

func main() {
	defer func() {
		if r := recover(); r != nil {
			fmt.Println("Recovered. Error:\n", r)
		}
	}()

	mayPanic()

	// This code will not run, because mayPanic panics.
	fmt.Println("After mayPanic()")
}
