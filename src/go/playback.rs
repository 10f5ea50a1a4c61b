//! The Go Playground's playback frames -> plain output. A program built with `-tags=faketime`
//! (Go's `runtime/time_fake.go` and `syscall/time_fake.go`) writes every write to fd 1 and fd 2
//! as a frame: `\0\0PB`, the fake time in nanoseconds (8 bytes, big-endian), the length of the
//! data (4 bytes, big-endian), then the data. In: the bytes read from one pipe. Out: the frames
//! in the order written, each with its fake time. The runtime makes the time strictly greater
//! whenever a write goes to the other fd than the last one, so sorting the frames of both
//! streams by time gives the order a terminal would have shown them in.

/// One write of the program to fd 1 or fd 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The fake time of the write, in nanoseconds since 1970.
    pub time: u64,
    pub data: Vec<u8>,
}

/// Why a stream is not a sequence of frames, at which byte of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    pub offset: usize,
    pub reason: &'static str,
}

impl std::fmt::Display for Malformed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at byte {}", self.reason, self.offset)
    }
}

const MAGIC: &[u8; 4] = b"\0\0PB";
const HEADER: usize = 4 + 8 + 4;

/// The fake clock's start, 2009-11-10 23:00:00 UTC (`faketime` in `runtime/time_fake.go`).
pub const START: u64 = 1_257_894_000_000_000_000;

/// The frames of one stream. `cut` says the stream was cut short (the output cap): then a last
/// frame that ends early is kept with the data that arrived. Anything else that is not a frame
/// (bytes a child process or a raw system call wrote past the runtime, a frame cut short
/// without a cap) is `Malformed`: its output cannot be told apart from the frames'.
pub fn decode(bytes: &[u8], cut: bool) -> Result<Vec<Frame>, Malformed> {
    let mut frames = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let rest = &bytes[at..];
        let have = rest.len().min(MAGIC.len());
        if rest[..have] != MAGIC[..have] {
            return Err(Malformed {
                offset: at,
                reason: "no playback header (\\0\\0PB)",
            });
        }
        if rest.len() < HEADER {
            if cut {
                break;
            }
            return Err(Malformed {
                offset: at,
                reason: "a playback header cut short",
            });
        }
        let time = u64::from_be_bytes(rest[4..12].try_into().expect("8 bytes"));
        let len = u32::from_be_bytes(rest[12..16].try_into().expect("4 bytes")) as usize;
        let data = &rest[HEADER..];
        if data.len() < len && !cut {
            return Err(Malformed {
                offset: at,
                reason: "a playback frame shorter than its header says",
            });
        }
        let data = &data[..len.min(data.len())];
        frames.push(Frame {
            time,
            data: data.to_vec(),
        });
        at += HEADER + data.len();
    }
    Ok(frames)
}

/// A stream of frames decoded as it arrives, for passing a program's output on while it runs
/// (`go test -exec`): the data of each frame goes out as soon as it is read, whatever the
/// chunks the pipe gives.
#[derive(Debug, Default)]
pub struct Unframer {
    /// The bytes of a header read so far.
    header: Vec<u8>,
    /// The bytes of the current frame's data still to come.
    left: usize,
    /// Bytes consumed, for the offset of a problem.
    at: usize,
}

impl Unframer {
    /// Appends the data in `bytes` to `out`.
    pub fn feed(&mut self, mut bytes: &[u8], out: &mut Vec<u8>) -> Result<(), Malformed> {
        while !bytes.is_empty() {
            if self.left > 0 {
                let n = self.left.min(bytes.len());
                out.extend_from_slice(&bytes[..n]);
                (self.left, self.at, bytes) = (self.left - n, self.at + n, &bytes[n..]);
                continue;
            }
            let n = (HEADER - self.header.len()).min(bytes.len());
            self.header.extend_from_slice(&bytes[..n]);
            bytes = &bytes[n..];
            let have = self.header.len().min(MAGIC.len());
            if self.header[..have] != MAGIC[..have] {
                return Err(Malformed {
                    offset: self.at,
                    reason: "no playback header (\\0\\0PB)",
                });
            }
            if self.header.len() == HEADER {
                self.left =
                    u32::from_be_bytes(self.header[12..16].try_into().expect("4 bytes")) as usize;
                self.at += HEADER;
                self.header.clear();
            }
        }
        Ok(())
    }

    /// At the end of the stream: whether it ended between frames.
    pub fn finish(&self) -> Result<(), Malformed> {
        match (self.header.is_empty(), self.left) {
            (true, 0) => Ok(()),
            (false, _) => Err(Malformed {
                offset: self.at,
                reason: "a playback header cut short",
            }),
            _ => Err(Malformed {
                offset: self.at,
                reason: "a playback frame shorter than its header says",
            }),
        }
    }
}

/// The data of the frames, joined: what the program wrote.
pub fn text(frames: &[Frame]) -> Vec<u8> {
    frames.iter().flat_map(|f| f.data.iter().copied()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(time: u64, data: &str) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&time.to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend_from_slice(data.as_bytes());
        out
    }

    #[test]
    fn frames_decode_in_order_and_join() {
        let bytes = [frame(START, "hello "), frame(START + 7, "world\n")].concat();
        let frames = decode(&bytes, false).unwrap();
        assert_eq!(
            frames,
            [
                Frame {
                    time: START,
                    data: b"hello ".to_vec()
                },
                Frame {
                    time: START + 7,
                    data: b"world\n".to_vec()
                }
            ]
        );
        assert_eq!(text(&frames), b"hello world\n");
        assert_eq!(decode(b"", false).unwrap(), []);
    }

    #[test]
    fn an_empty_write_and_binary_data_are_frames_too() {
        let mut bytes = frame(START, "");
        bytes.extend(frame(START, "\0\0PB\n"));
        let frames = decode(&bytes, false).unwrap();
        assert_eq!(frames.len(), 2);
        assert_eq!(text(&frames), b"\0\0PB\n");
    }

    #[test]
    fn a_frame_split_across_reads_decodes_whole() {
        // The pipe is read in chunks; only the joined bytes are decoded, whatever the split.
        let bytes = [frame(START, "a longer line\n"), frame(START, "b\n")].concat();
        for split in 0..bytes.len() {
            let mut joined = bytes[..split].to_vec();
            joined.extend_from_slice(&bytes[split..]);
            assert_eq!(
                text(&decode(&joined, false).unwrap()),
                b"a longer line\nb\n"
            );
        }
    }

    #[test]
    fn stdout_and_stderr_interleave_by_time() {
        // As runtime/time_test.go's TestFakeTime: a switch of fd makes the time strictly
        // greater, so sorting both streams' frames by time restores the order written.
        let stdout = [
            frame(START + 1, "line 2\n"),
            frame(START + 1, "line 3\n"),
            frame(START + 1_000_000_000, "line 5\n"),
        ]
        .concat();
        let stderr = [frame(START, "line 1\n"), frame(START + 2, "line 4\n")].concat();
        let mut all: Vec<(u64, usize, Vec<u8>)> = Vec::new();
        for (fd, bytes) in [(1, &stdout), (2, &stderr)] {
            for f in decode(bytes, false).unwrap() {
                all.push((f.time, fd, f.data));
            }
        }
        all.sort_by_key(|(time, _, _)| *time);
        let order: Vec<String> = all
            .iter()
            .map(|(_, fd, d)| format!("{fd}:{}", String::from_utf8_lossy(d)))
            .collect();
        assert_eq!(
            order.concat(),
            "2:line 1\n1:line 2\n1:line 3\n2:line 4\n1:line 5\n"
        );
    }

    #[test]
    fn a_truncated_header_is_malformed_unless_the_stream_was_cut() {
        let mut bytes = frame(START, "ok\n");
        let whole = bytes.len();
        bytes.extend_from_slice(&frame(START, "next\n")[..10]);
        assert_eq!(
            decode(&bytes, false),
            Err(Malformed {
                offset: whole,
                reason: "a playback header cut short"
            })
        );
        assert_eq!(text(&decode(&bytes, true).unwrap()), b"ok\n");
        // Cut inside the magic itself.
        assert!(decode(&bytes[..whole + 2], false).is_err());
        assert_eq!(text(&decode(&bytes[..whole + 2], true).unwrap()), b"ok\n");
    }

    #[test]
    fn a_short_frame_keeps_what_arrived_only_when_cut() {
        let bytes = frame(START, "truncated output\n");
        let short = &bytes[..bytes.len() - 8];
        assert_eq!(
            decode(short, false).unwrap_err().reason,
            "a playback frame shorter than its header says"
        );
        assert_eq!(text(&decode(short, true).unwrap()), b"truncated");
    }

    #[test]
    fn the_unframer_passes_data_on_whatever_the_chunks() {
        let bytes = [
            frame(START, "one\n"),
            frame(START + 1, ""),
            frame(START + 2, "two\n"),
        ]
        .concat();
        for size in 1..=bytes.len() {
            let mut u = Unframer::default();
            let mut out = Vec::new();
            for chunk in bytes.chunks(size) {
                u.feed(chunk, &mut out).unwrap();
            }
            u.finish().unwrap();
            assert_eq!(out, b"one\ntwo\n", "chunks of {size}");
        }
        // Cut inside a header, inside a frame, and bytes that are no frame.
        let mut u = Unframer::default();
        u.feed(&bytes[..18], &mut Vec::new()).unwrap();
        assert_eq!(
            u.finish().unwrap_err().reason,
            "a playback frame shorter than its header says"
        );
        let mut u = Unframer::default();
        u.feed(&bytes[..8], &mut Vec::new()).unwrap();
        assert_eq!(
            u.finish().unwrap_err().reason,
            "a playback header cut short"
        );
        let mut u = Unframer::default();
        let mut out = Vec::new();
        let err = u.feed(&[frame(START, "ok\n"), b"raw".to_vec()].concat(), &mut out);
        assert_eq!(err.unwrap_err().offset, 19);
        assert_eq!(out, b"ok\n");
    }

    /// The whole-stream decoder and the streaming one agree on any input: frames, frames cut
    /// anywhere, and frames with bytes changed anywhere, fed in chunks of any size.
    #[test]
    fn both_decoders_agree_on_mangled_streams() {
        let mut seed: u64 = 0x5eed;
        let mut next = move |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        for _ in 0..2000 {
            let mut bytes = Vec::new();
            for i in 0..next(4) {
                let data = "x".repeat(next(40) as usize);
                bytes.extend(frame(START + i, &data));
            }
            match next(3) {
                0 if !bytes.is_empty() => bytes.truncate(next(bytes.len() as u64) as usize),
                1 if !bytes.is_empty() => {
                    let at = next(bytes.len() as u64) as usize;
                    bytes[at] = next(256) as u8;
                }
                _ => {}
            }
            let whole = decode(&bytes, false);
            let mut u = Unframer::default();
            let mut out = Vec::new();
            let size = 1 + next(20) as usize;
            let streamed = bytes
                .chunks(size)
                .try_for_each(|c| u.feed(c, &mut out))
                .and_then(|()| u.finish());
            assert_eq!(whole.is_ok(), streamed.is_ok(), "{bytes:?}");
            if let Ok(frames) = whole {
                assert_eq!(text(&frames), out);
            }
        }
    }

    #[test]
    fn bytes_written_past_the_runtime_are_malformed() {
        // A child process writing to the inherited stdout writes no header.
        let mut bytes = frame(START, "from go\n");
        let at = bytes.len();
        bytes.extend_from_slice(b"from echo\n");
        let err = decode(&bytes, false).unwrap_err();
        assert_eq!(err.offset, at);
        assert_eq!(
            err.to_string(),
            format!("no playback header (\\0\\0PB) at byte {at}")
        );
        // Even when the stream was cut: the bytes are not a frame's beginning.
        assert!(decode(&bytes, true).is_err());
        assert!(decode(b"plain text", false).is_err());
    }
}
