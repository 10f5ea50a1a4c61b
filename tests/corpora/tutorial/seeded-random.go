// If you want a known seed, create a new rand.Source
// and pass it to the New constructor. The same seed
// always produces the same sequence of numbers.
package main

import (
	"fmt"
	"math/rand/v2"
)

func main() {
	s2 := rand.NewPCG(1, 2)
	r2 := rand.New(s2)
	fmt.Print(r2.IntN(100), ",")
	fmt.Print(r2.IntN(100))
	fmt.Println()

	s3 := rand.NewPCG(1, 2)
	r3 := rand.New(s3)
	fmt.Print(r3.IntN(100), ",")
	fmt.Print(r3.IntN(100))
	fmt.Println()

	deck := []string{"A", "K", "Q", "J", "10"}
	r3.Shuffle(len(deck), func(i, j int) { deck[i], deck[j] = deck[j], deck[i] })
	fmt.Println(deck)
}
