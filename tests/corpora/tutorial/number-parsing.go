// Parsing numbers from strings is a basic but common task
// in many programs; the `strconv` package does it.
package main

import (
	"fmt"
	"strconv"
)

func main() {
	f, _ := strconv.ParseFloat("1.234", 64)
	fmt.Println(f)

	i, _ := strconv.ParseInt("123", 0, 64)
	fmt.Println(i)

	d, _ := strconv.ParseInt("0x1c8", 0, 64)
	fmt.Println(d)

	u, _ := strconv.ParseUint("789", 0, 64)
	fmt.Println(u)

	k, _ := strconv.Atoi("135")
	fmt.Println(k)

	fmt.Println(strconv.Itoa(99) + "!")
	fmt.Println(strconv.Quote("hi\n"))

	_, e := strconv.Atoi("wat")
	fmt.Println(e)
}
