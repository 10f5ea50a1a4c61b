// Go supports constants of character, string, boolean,
// and numeric values. A numeric constant has no type
// until it's given one, such as by an explicit conversion.
package main

import (
	"fmt"
	"math"
)

const s string = "constant"

func main() {
	fmt.Println(s)

	const n = 500000000

	// Constant expressions perform arithmetic with
	// arbitrary precision.
	const d = 3e20 / n
	fmt.Println(d)

	fmt.Println(int64(d))

	// A number can be given a type by using it in a
	// context that requires one, such as a function call.
	fmt.Println(math.Sin(n))
}
