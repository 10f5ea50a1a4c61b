package main

import "fmt"

func main() {
	var m map[string]int
	fmt.Println(m["missing"])     //prints: 0
	fmt.Println(len(m), m == nil) //prints: 0 true

	m["a"] = 1 //panics
	fmt.Println(m)
}
