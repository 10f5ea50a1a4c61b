package main

import (
	"fmt"
	"math"
)

func main() {
	var i8 int8 = 127
	i8++
	fmt.Println(i8) //prints: -128

	var u uint = 0
	u--
	fmt.Println(u == math.MaxUint) //prints: true

	var b byte = 250
	b += 10
	fmt.Println(b) //prints: 4

	x := math.MaxInt64
	fmt.Println(x+1 < x) //prints: true
}
