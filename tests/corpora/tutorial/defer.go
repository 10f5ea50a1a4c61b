// _Defer_ is used to ensure that a function call is
// performed later in a program's execution, usually for
// purposes of cleanup. Deferred calls run in LIFO order.
package main

import "fmt"

func main() {
	fmt.Println("start")
	for i := range 3 {
		defer fmt.Println("deferred", i)
	}

	x := 10
	// The arguments are evaluated when the defer executes,
	// not when the deferred call runs.
	defer fmt.Println("x was", x)
	x = 20
	fmt.Println("x is", x)
	fmt.Println("end")
}
