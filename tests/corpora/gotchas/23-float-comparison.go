package main

import (
	"fmt"
	"math"
)

func main() {
	a := 0.1
	b := 0.2
	fmt.Println(a+b == 0.3)     //prints: false
	fmt.Println(a + b)          //prints: 0.30000000000000004
	fmt.Println(0.1+0.2 == 0.3) //prints: true

	const eps = 1e-9
	fmt.Println(math.Abs(a+b-0.3) < eps) //prints: true

	nan := math.NaN()
	fmt.Println(nan == nan) //prints: false
}
