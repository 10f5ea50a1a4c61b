// A _goroutine_ is a lightweight thread of execution.
// Output from goroutines running concurrently may be
// interleaved differently on each run.
package main

import (
	"fmt"
	"time"
)

func f(from string) {
	for i := range 3 {
		fmt.Println(from, ":", i)
	}
}

func main() {
	f("direct")

	go f("goroutine")

	go func(msg string) {
		fmt.Println(msg)
	}("going")

	time.Sleep(100 * time.Millisecond)
	fmt.Println("done")
}
