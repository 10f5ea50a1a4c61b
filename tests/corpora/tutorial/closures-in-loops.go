// A classic surprise: closures created in a loop capture
// the loop variable itself, not its value at the time.
// By the time the closures run, the loop has finished and
// i is 3, so every closure prints 3.
package main

import "fmt"

func main() {
	var prints []func()
	for i := 0; i < 3; i++ {
		prints = append(prints, func() {
			fmt.Println(i)
		})
	}
	for _, p := range prints {
		p()
	}
}
