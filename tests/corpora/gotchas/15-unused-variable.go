package main

import "fmt"

func main() {
	x := 1 //error: declared and not used: x
	y := 2
	fmt.Println(y)
}
