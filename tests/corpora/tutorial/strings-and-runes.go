// A Go string is a read-only slice of bytes. Characters
// are called _runes_: integers representing Unicode code points.
package main

import (
	"fmt"
	"unicode/utf8"
)

func main() {
	const s = "สวัสดี"

	fmt.Println("Len:", len(s))
	fmt.Println("Rune count:", utf8.RuneCountInString(s))

	for i := 0; i < 6; i++ {
		fmt.Printf("%x ", s[i])
	}
	fmt.Println()

	for idx, runeValue := range s {
		fmt.Printf("%#U starts at %d\n", runeValue, idx)
	}
}
