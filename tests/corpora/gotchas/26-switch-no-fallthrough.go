package main

import "fmt"

func kind(n int) string {
	switch n {
	case 0:
		// an empty case does NOT fall through to the next one
	case 1:
		return "one"
	case 2:
		fallthrough
	case 3:
		return "two or three"
	}
	return "other"
}

func main() {
	fmt.Println(kind(0)) //prints: other
	fmt.Println(kind(1)) //prints: one
	fmt.Println(kind(2)) //prints: two or three

	for i := 0; i < 5; i++ {
		switch {
		case i == 2:
			break // breaks the switch, not the loop
		}
	}
	fmt.Println("loop finished") //prints: loop finished
}
