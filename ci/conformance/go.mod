module snipcheck.local/conformance

go 1.22
