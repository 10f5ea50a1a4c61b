// Ranging over a map visits every key, but the iteration
// order is not specified and changes from run to run.
// Sort the keys when you need a stable order.
package main

import (
	"fmt"
	"maps"
	"slices"
)

func main() {
	ages := map[string]int{"alice": 31, "bob": 27, "carol": 45, "dave": 19}

	for name, age := range ages {
		fmt.Println(name, age)
	}

	fmt.Println("--- sorted ---")
	for _, name := range slices.Sorted(maps.Keys(ages)) {
		fmt.Println(name, ages[name])
	}
}
