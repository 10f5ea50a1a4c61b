// Go's `math/rand/v2` package provides pseudorandom number
// generation. The top-level functions are randomly seeded,
// so you'll likely see different numbers each run.
package main

import (
	"fmt"
	"math/rand/v2"
)

func main() {
	fmt.Print(rand.IntN(100), ",")
	fmt.Print(rand.IntN(100))
	fmt.Println()

	fmt.Println(rand.Float64())

	fmt.Print((rand.Float64()*5)+5, ",")
	fmt.Print((rand.Float64() * 5) + 5)
	fmt.Println()

	fmt.Println(rand.Perm(5))
}
