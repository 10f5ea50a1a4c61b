package main

import "fmt"

func main() {
	a, b := 7, 2
	fmt.Println(a / b)                   //prints: 3
	fmt.Println(-7 / 2)                  //prints: -3
	fmt.Println(-7 % 2)                  //prints: -1
	fmt.Println(float64(a / b))          //prints: 3
	fmt.Println(float64(a) / float64(b)) //prints: 3.5

	percent := 1 / 3 * 100
	fmt.Println(percent)     //prints: 0
	fmt.Println(100 * 1 / 3) //prints: 33
}
