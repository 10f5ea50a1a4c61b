package main

import "fmt"

func main() {
	s := "héllo"
	fmt.Println(len(s))         //prints: 6
	fmt.Println(len([]rune(s))) //prints: 5
	fmt.Println(s[1])           //prints: 195
	fmt.Println(string(s[1]))   //prints: Ã

	var idx []int
	for i := range s {
		idx = append(idx, i)
	}
	fmt.Println(idx) //prints: [0 1 3 4 5]

	fmt.Printf("%q\n", s[1:2])    //prints: "\xc3"
	fmt.Println(string(rune(65))) //prints: A
}
