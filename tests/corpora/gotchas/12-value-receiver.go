package main

import "fmt"

type counter struct{ n int }

func (c counter) IncValue()    { c.n++ }
func (c *counter) IncPointer() { c.n++ }

func main() {
	c := counter{}
	c.IncValue()
	fmt.Println(c.n) //prints: 0
	c.IncPointer()
	fmt.Println(c.n) //prints: 1

	f := c.IncValue // method value binds a copy of c
	g := c.IncPointer
	c.n = 10
	f()
	g()
	fmt.Println(c.n) //prints: 11

	m := map[string]counter{"a": {}}
	m["a"].IncValue()     // allowed, but changes nothing
	fmt.Println(m["a"].n) //prints: 0
}
