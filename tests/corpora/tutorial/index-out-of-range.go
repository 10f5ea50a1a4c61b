// Indexing a slice past its length is a run-time error:
// the program panics with a message naming the index.
package main

import "fmt"

func main() {
	s := []int{1, 2, 3}
	idx := 5
	fmt.Println("len:", len(s))
	fmt.Println(s[idx])
}
