package main

import "fmt"

func double(a [3]int) {
	for i := range a {
		a[i] *= 2
	}
}

func main() {
	a := [3]int{1, 2, 3}
	b := a // copies the whole array
	b[0] = 100
	fmt.Println(a, b) //prints: [1 2 3] [100 2 3]

	double(a)
	fmt.Println(a) //prints: [1 2 3]

	s := a[:] // a slice refers to the array
	s[0] = 7
	fmt.Println(a)                    //prints: [7 2 3]
	fmt.Println(a == [3]int{7, 2, 3}) //prints: true
}
