// A `panic` typically means something went unexpectedly
// wrong. Running this program will cause it to panic,
// print an error message and goroutine traces, and exit
// with a non-zero status.
package main

import "fmt"

func main() {
	fmt.Println("about to panic")

	panic("a problem")
}
