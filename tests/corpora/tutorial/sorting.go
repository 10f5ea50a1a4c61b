// Go's `slices` package implements sorting for builtins
// and user-defined types.
package main

import (
	"fmt"
	"slices"
)

func main() {
	strs := []string{"c", "a", "b"}
	slices.Sort(strs)
	fmt.Println("Strings:", strs)

	ints := []int{7, 2, 4}
	slices.Sort(ints)
	fmt.Println("Ints:   ", ints)

	s := slices.IsSorted(ints)
	fmt.Println("Sorted: ", s)

	idx, found := slices.BinarySearch(ints, 4)
	fmt.Println("Search: ", idx, found)
}
