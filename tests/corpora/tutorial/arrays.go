// In Go, an _array_ is a numbered sequence of elements of
// a specific length. Arrays are values: assigning one copies it.
package main

import "fmt"

func main() {
	var a [5]int
	fmt.Println("emp:", a)

	a[4] = 100
	fmt.Println("set:", a)
	fmt.Println("get:", a[4])
	fmt.Println("len:", len(a))

	b := [...]int{1, 2, 3, 4, 5}
	c := b
	c[0] = 99
	fmt.Println("b:", b)
	fmt.Println("c:", c)

	var twoD [2][3]int
	for i := range 2 {
		for j := range 3 {
			twoD[i][j] = i + j
		}
	}
	fmt.Println("2d:", twoD)
}
