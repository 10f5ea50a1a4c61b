package main

import (
	"fmt"
	"strconv"
)

func main() {
	x := 1
	if true {
		x := 2 // a new x, only inside this block
		x++
		fmt.Println(x) //prints: 3
	}
	fmt.Println(x) //prints: 1

	var n int
	var err error
	if s := "42"; s != "" {
		n, err := strconv.Atoi(s) // shadows n and err
		fmt.Println(n, err)       //prints: 42 <nil>
	}
	fmt.Println(n, err) //prints: 0 <nil>
}
