//! OpenPose-style JSON keypoints: one file per frame, in a folder.
//!
//! Each file is `{"version": .., "people": [{"pose_keypoints_2d": [x, y, c, ...]}, ...]}`.
//! The layout follows from the number of points: 25 (OpenPose BODY_25), 26 (Halpe-26, as
//! written by AlphaPose / RTMPose tools in OpenPose format), 133 (COCO-WholeBody) or 17
//! (COCO-17, which has no foot points). In each frame the person with the largest total
//! confidence is kept; a point with confidence 0 and a frame without people are missing
//! (`NaN`). Coordinates are pixels, y down. There is no clock: the rate comes from
//! [`ReadOptions::rate_hz`].

use std::path::Path;

use serde::Deserialize;

use super::part::{Part, RawPoint, RawSkeleton};
use super::text;
use super::{Location, ReadError, ReadOptions};
use crate::recording::{Format, Layout, Space};

/// OpenPose BODY_25.
const BODY_25: [&str; 25] = [
    "Nose",
    "Neck",
    "RShoulder",
    "RElbow",
    "RWrist",
    "LShoulder",
    "LElbow",
    "LWrist",
    "MidHip",
    "RHip",
    "RKnee",
    "RAnkle",
    "LHip",
    "LKnee",
    "LAnkle",
    "REye",
    "LEye",
    "REar",
    "LEar",
    "LBigToe",
    "LSmallToe",
    "LHeel",
    "RBigToe",
    "RSmallToe",
    "RHeel",
];

/// COCO-17 body points (the first 17 of Halpe-26 and COCO-WholeBody).
const COCO_17: [&str; 17] = [
    "nose",
    "left_eye",
    "right_eye",
    "left_ear",
    "right_ear",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
];

/// Halpe-26 points after the COCO-17 ones.
const HALPE_EXTRA: [&str; 9] = [
    "head",
    "neck",
    "hip",
    "left_big_toe",
    "right_big_toe",
    "left_small_toe",
    "right_small_toe",
    "left_heel",
    "right_heel",
];

/// COCO-WholeBody foot points (17..22) after the COCO-17 ones.
const WHOLEBODY_FEET: [&str; 6] = [
    "left_big_toe",
    "left_small_toe",
    "left_heel",
    "right_big_toe",
    "right_small_toe",
    "right_heel",
];

/// The layout and point names for a number of points per person.
fn layout_for(n_points: usize) -> Option<(Layout, Vec<String>)> {
    let names = |list: &[&str]| list.iter().map(|s| (*s).to_string()).collect::<Vec<_>>();
    match n_points {
        25 => Some((Layout::Body25, names(&BODY_25))),
        26 => Some((
            Layout::Halpe26,
            names(&[&COCO_17[..], &HALPE_EXTRA[..]].concat()),
        )),
        17 => Some((Layout::Coco17, names(&COCO_17))),
        133 => {
            let mut all = names(&[&COCO_17[..], &WHOLEBODY_FEET[..]].concat());
            all.extend((0..68).map(|i| format!("face_{i}")));
            all.extend((0..21).map(|i| format!("left_hand_{i}")));
            all.extend((0..21).map(|i| format!("right_hand_{i}")));
            Some((Layout::CocoWholeBody, all))
        }
        _ => None,
    }
}

#[derive(Deserialize)]
struct FrameJson {
    people: Vec<PersonJson>,
}

#[derive(Deserialize)]
struct PersonJson {
    #[serde(default)]
    pose_keypoints_2d: Vec<f64>,
}

/// Frames as they are read, then turned into a part.
struct Frames<'a> {
    name: &'a str,
    /// The kept person's keypoints per frame (`None`: nobody detected).
    kept: Vec<Option<Vec<f64>>>,
    /// Values per person (3 × points), from the first frame with a person.
    width: Option<(usize, String)>,
    crowded: usize,
}

impl<'a> Frames<'a> {
    fn new(name: &'a str) -> Self {
        Frames {
            name,
            kept: Vec::new(),
            width: None,
            crowded: 0,
        }
    }

    /// Parse one frame file.
    fn push(&mut self, file: &str, bytes: &[u8]) -> Result<(), ReadError> {
        let frame: FrameJson =
            serde_json::from_slice(text::skip_bom(bytes)).map_err(|e| ReadError::Layout {
                at: Location::line(file, e.line() as u64)
                    .with_column(format!("character {}", e.column())),
                problem: format!(
                    "not an OpenPose frame ({e}); expected {{\"people\": \
                     [{{\"pose_keypoints_2d\": [x, y, confidence, ...]}}, ...]}}"
                ),
            })?;
        let mut best: Option<(f64, Vec<f64>)> = None;
        let mut people = 0;
        for (i, person) in frame.people.into_iter().enumerate() {
            let values = person.pose_keypoints_2d;
            if values.is_empty() {
                continue;
            }
            let problem = if values.len() % 3 != 0 {
                Some(format!(
                    "person {} has {} pose_keypoints_2d values, not a multiple of 3; expected \
                     x, y, confidence per point",
                    i + 1,
                    values.len()
                ))
            } else {
                match &self.width {
                    Some((w, first)) if *w != values.len() => Some(format!(
                        "person {} has {} pose_keypoints_2d values ({} points); expected {w} \
                         ({} points) as in {first}",
                        i + 1,
                        values.len(),
                        values.len() / 3,
                        w / 3
                    )),
                    _ => None,
                }
            };
            if let Some(problem) = problem {
                return Err(ReadError::Layout {
                    at: Location::file(file),
                    problem,
                });
            }
            if self.width.is_none() {
                if layout_for(values.len() / 3).is_none() {
                    return Err(ReadError::Layout {
                        at: Location::file(file),
                        problem: unknown_layout(values.len() / 3),
                    });
                }
                self.width = Some((values.len(), file.to_string()));
            }
            people += 1;
            let total: f64 = values
                .chunks_exact(3)
                .map(|p| p[2])
                .filter(|c| c.is_finite())
                .sum();
            if best.as_ref().is_none_or(|(b, _)| total > *b) {
                best = Some((total, values));
            }
        }
        if people > 1 {
            self.crowded += 1;
        }
        self.kept.push(best.map(|(_, v)| v));
        Ok(())
    }

    fn finish(self, notes: Vec<String>) -> Result<Part, ReadError> {
        let n = self.kept.len();
        if n == 0 {
            return Err(ReadError::Empty {
                at: Location::file(self.name),
                what: "no frames; expected OpenPose *_keypoints.json files".into(),
            });
        }
        let Some((width, _)) = self.width else {
            return Err(ReadError::Empty {
                at: Location::file(self.name),
                what: format!("no person detected in any of the {n} frame(s)"),
            });
        };
        let (layout, names) = layout_for(width / 3).ok_or_else(|| ReadError::Layout {
            at: Location::file(self.name),
            problem: unknown_layout(width / 3),
        })?;
        let mut points: Vec<RawPoint> = names
            .into_iter()
            .map(|name| RawPoint {
                name,
                xyz: [
                    Vec::with_capacity(n),
                    Vec::with_capacity(n),
                    Vec::with_capacity(n),
                ],
                confidence: Some(Vec::with_capacity(n)),
            })
            .collect();
        let mut empty = 0usize;
        for frame in &self.kept {
            if frame.is_none() {
                empty += 1;
            }
            let values = frame.as_deref().unwrap_or_default();
            for (k, p) in points.iter_mut().enumerate() {
                let v = values.get(3 * k..3 * k + 3);
                let (x, y, c) = match v {
                    Some(&[x, y, c]) if c > 0.0 && x.is_finite() && y.is_finite() => (x, y, c),
                    _ => (f64::NAN, f64::NAN, 0.0),
                };
                let seen = x.is_finite();
                p.xyz[0].push(x);
                p.xyz[1].push(y);
                p.xyz[2].push(if seen { 0.0 } else { f64::NAN });
                if let Some(conf) = &mut p.confidence {
                    conf.push(c as f32);
                }
            }
        }
        let mut part = Part::new(self.name, Format::OpenposeJson);
        part.n_rows = n;
        part.notes = notes;
        if self.crowded > 0 {
            part.notes.push(format!(
                "{} of {n} frames had several people; the one with the largest total \
                 confidence was kept",
                self.crowded
            ));
        }
        if empty > 0 {
            part.notes.push(format!(
                "{empty} of {n} frames had nobody detected: read as missing"
            ));
        }
        part.skeleton = Some(RawSkeleton {
            layout,
            space: Space::Image { normalised: false },
            dims: 2,
            up_axis: None,
            points,
        });
        Ok(part)
    }
}

fn unknown_layout(points: usize) -> String {
    let hint = if points == 18 {
        " (OpenPose COCO-18 is not read: it has no foot points; run OpenPose with BODY_25)"
    } else {
        ""
    };
    format!(
        "{points} points per person{hint}; expected 25 (OpenPose BODY_25), 26 (Halpe-26), \
         133 (COCO-WholeBody) or 17 (COCO-17)"
    )
}

/// The frame number in a file name: the last run of digits (`run_000000000012_keypoints`
/// gives 12).
fn frame_number(file_name: &str) -> Option<u64> {
    let stem = file_name.strip_suffix(".json").unwrap_or(file_name);
    let end = stem.rfind(|c: char| c.is_ascii_digit())? + 1;
    let start = stem[..end]
        .rfind(|c: char| !c.is_ascii_digit())
        .map_or(0, |p| p + 1);
    stem.get(start..end)?.parse().ok()
}

/// Read a folder of OpenPose `*_keypoints.json` frames, in the order of the frame numbers
/// in their names (or of the names, when some have none).
pub(crate) fn read_folder(path: &Path, name: &str, opts: &ReadOptions) -> Result<Part, ReadError> {
    let _ = opts; // no clock: the assembler takes the rate from the options
    let io = |file: &str| {
        let file = file.to_string();
        move |source| ReadError::Io { file, source }
    };
    let mut json = Vec::new();
    for entry in std::fs::read_dir(path).map_err(io(name))? {
        let entry = entry.map_err(io(name))?;
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let is_file = entry.file_type().map_err(io(name))?.is_file() || entry.path().is_file();
        if is_file
            && !file_name.starts_with('.')
            && file_name.to_ascii_lowercase().ends_with(".json")
        {
            json.push(file_name);
        }
    }
    let mut notes = Vec::new();
    let keypoints = json
        .iter()
        .filter(|f| f.to_ascii_lowercase().ends_with("_keypoints.json"))
        .count();
    if keypoints > 0 && keypoints < json.len() {
        notes.push(format!(
            "{} .json file(s) not named *_keypoints.json ignored",
            json.len() - keypoints
        ));
        json.retain(|f| f.to_ascii_lowercase().ends_with("_keypoints.json"));
    }
    if json.is_empty() {
        return Err(ReadError::Empty {
            at: Location::file(name),
            what: "no .json files in the folder; expected OpenPose *_keypoints.json frames".into(),
        });
    }
    let numbers: Option<Vec<u64>> = json.iter().map(|f| frame_number(f)).collect();
    match numbers {
        Some(numbers) => {
            let mut order: Vec<(u64, String)> = numbers.into_iter().zip(json).collect();
            order.sort();
            json = order.into_iter().map(|(_, f)| f).collect();
        }
        None => {
            json.sort();
            notes.push("frames ordered by file name (not all names have a frame number)".into());
        }
    }
    let mut frames = Frames::new(name);
    for file_name in &json {
        let file_path = path.join(file_name);
        let shown = file_path.display().to_string();
        let bytes = text::read_all(&file_path, &shown)?;
        frames.push(&shown, &bytes)?;
    }
    frames.finish(notes)
}

/// Read frames already in memory, as (file name, bytes) pairs in frame order.
pub(crate) fn read_frames(
    name: &str,
    frames: &[(String, &[u8])],
    opts: &ReadOptions,
) -> Result<Part, ReadError> {
    let _ = opts; // no clock: the assembler takes the rate from the options
    let mut all = Frames::new(name);
    for (file, bytes) in frames {
        all.push(file, bytes)?;
    }
    all.finish(Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok<T>(r: Result<T, ReadError>) -> T {
        r.unwrap_or_else(|e| panic!("{e}"))
    }

    /// A BODY_25 person: point k at (10k, 20k) with confidence `c`, except point `hidden`.
    fn person(c: f64, hidden: usize) -> String {
        let values: Vec<String> = (0..25)
            .flat_map(|k| {
                let conf = if k == hidden { 0.0 } else { c };
                [
                    format!("{}", 10 * k),
                    format!("{}", 20 * k),
                    format!("{conf}"),
                ]
            })
            .collect();
        format!("{{\"pose_keypoints_2d\":[{}]}}", values.join(","))
    }

    fn frame(people: &[String]) -> String {
        format!("{{\"version\":1.3,\"people\":[{}]}}", people.join(","))
    }

    fn write(dir: &Path, file: &str, text: &str) {
        std::fs::write(dir.join(file), text).unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn folder_of_two_frames() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        // Frame 10 sorts after frame 9 by number, not by name.
        write(dir.path(), "walk_10_keypoints.json", &frame(&[]));
        write(
            dir.path(),
            "walk_9_keypoints.json",
            &frame(&[person(0.5, 99), person(0.9, 21)]),
        );
        write(dir.path(), "notes.txt", "not a frame");
        let p = ok(read_folder(dir.path(), "walk", &ReadOptions::default()));
        assert_eq!(p.n_rows, 2);
        assert!(p.time.is_none());
        let sk = p.skeleton.as_ref().unwrap_or_else(|| panic!("no skeleton"));
        assert_eq!(sk.layout, Layout::Body25);
        assert_eq!(sk.space, Space::Image { normalised: false });
        assert_eq!(sk.dims, 2);
        assert_eq!(sk.points.len(), 25);
        // Frame 0 (walk_9): the 0.9 person, whose LHeel (21) has confidence 0.
        let rheel = &sk.points[24];
        assert_eq!(rheel.name, "RHeel");
        assert_eq!((rheel.xyz[0][0], rheel.xyz[1][0]), (240.0, 480.0));
        assert_eq!(rheel.confidence.as_ref().map(|c| c[0]), Some(0.9));
        let lheel = &sk.points[21];
        assert_eq!(lheel.name, "LHeel");
        assert!(lheel.xyz[0][0].is_nan());
        // Frame 1 (walk_10): nobody.
        assert!(sk.points.iter().all(|p| p.xyz[0][1].is_nan()));
        assert!(
            p.notes.iter().any(|n| n.contains("several people")),
            "{:?}",
            p.notes
        );
        assert!(
            p.notes.iter().any(|n| n.contains("nobody")),
            "{:?}",
            p.notes
        );

        // Through the public reader: no rate, then a rate.
        let e = crate::io::read(&[dir.path()], &ReadOptions::default());
        assert!(matches!(e, Err(ReadError::NeedRate { .. })), "{e:?}");
        let opts = ReadOptions {
            rate_hz: Some(25.0),
            ..Default::default()
        };
        let rec = ok(crate::io::read(&[dir.path()], &opts));
        assert_eq!(rec.n_samples, 2);
        assert_eq!(rec.source.format, Format::OpenposeJson);
    }

    #[test]
    fn corrupt_frames_name_their_file() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        write(
            dir.path(),
            "a_000_keypoints.json",
            &frame(&[person(1.0, 99)]),
        );
        write(
            dir.path(),
            "a_001_keypoints.json",
            "{\"people\": [{\"pose_keypoints_2d\": [1, 2,",
        );
        match read_folder(dir.path(), "a", &ReadOptions::default()) {
            Err(ReadError::Layout { at, .. }) => {
                assert!(at.file.ends_with("a_001_keypoints.json"), "{}", at.file);
                assert_eq!(at.line, Some(1));
            }
            other => panic!("{other:?}"),
        }
        // Not a multiple of 3, and a different point count from earlier frames.
        let frames: Vec<(String, Vec<u8>)> = vec![
            ("f0.json".into(), frame(&[person(1.0, 99)]).into_bytes()),
            (
                "f1.json".into(),
                b"{\"people\":[{\"pose_keypoints_2d\":[1,2,3,4]}]}".to_vec(),
            ),
        ];
        let refs: Vec<(String, &[u8])> = frames.iter().map(|(n, b)| (n.clone(), &b[..])).collect();
        match read_frames("x", &refs, &ReadOptions::default()) {
            Err(ReadError::Layout { at, problem }) => {
                assert_eq!(at.file, "f1.json");
                assert!(problem.contains("multiple of 3"), "{problem}");
            }
            other => panic!("{other:?}"),
        }
        let six = b"{\"people\":[{\"pose_keypoints_2d\":[1,2,3,4,5,6]}]}";
        let refs = vec![refs[0].clone(), ("f1.json".to_string(), &six[..])];
        match read_frames("x", &refs, &ReadOptions::default()) {
            Err(ReadError::Layout { problem, .. }) => {
                assert!(
                    problem.contains("expected 75 (25 points) as in f0.json"),
                    "{problem}"
                )
            }
            other => panic!("{other:?}"),
        }
        // COCO-18 is refused; an empty folder is Empty.
        let coco18 = format!(
            "{{\"people\":[{{\"pose_keypoints_2d\":[{}]}}]}}",
            vec!["1"; 54].join(",")
        );
        let e = read_frames(
            "x",
            &[("c.json".into(), coco18.as_bytes())],
            &ReadOptions::default(),
        );
        assert!(e.err().is_some_and(|e| e.to_string().contains("COCO-18")));
        let empty = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            read_folder(empty.path(), "empty", &ReadOptions::default()),
            Err(ReadError::Empty { .. })
        ));
        // Nobody in any frame.
        let e = read_frames(
            "x",
            &[("n.json".into(), b"{\"people\":[]}")],
            &ReadOptions::default(),
        );
        assert!(matches!(e, Err(ReadError::Empty { .. })));
    }

    #[test]
    fn layouts_by_point_count() {
        for (n, layout, name_at, expected) in [
            (26, Layout::Halpe26, 25, "right_heel"),
            (133, Layout::CocoWholeBody, 19, "left_heel"),
            (133, Layout::CocoWholeBody, 132, "right_hand_20"),
            (17, Layout::Coco17, 16, "right_ankle"),
        ] {
            let values = vec!["1"; 3 * n].join(",");
            let text = format!("{{\"people\":[{{\"pose_keypoints_2d\":[{values}]}}]}}");
            let p = ok(read_frames(
                "x",
                &[("f.json".into(), text.as_bytes())],
                &ReadOptions::default(),
            ));
            let sk = p.skeleton.unwrap_or_else(|| panic!("no skeleton"));
            assert_eq!(sk.layout, layout);
            assert_eq!(sk.points.len(), n);
            assert_eq!(sk.points[name_at].name, expected);
        }
        assert_eq!(frame_number("run_000000000012_keypoints.json"), Some(12));
        assert_eq!(frame_number("keypoints.json"), None);
    }

    #[test]
    fn truncated_and_garbage_input_is_refused_without_panic() {
        let text = frame(&[person(0.7, 3), person(0.2, 99)]);
        let bytes = text.as_bytes();
        for end in 0..bytes.len() {
            let r = read_frames(
                "x",
                &[("f.json".into(), &bytes[..end])],
                &ReadOptions::default(),
            );
            assert!(r.is_err(), "cut at {end}");
        }
        for garbage in [
            &b"\x00\x01"[..],
            b"[]",
            b"{\"people\": 3}",
            b"{\"people\":[{\"pose_keypoints_2d\":[\"a\"]}]}",
            b"\xff\xfe{",
        ] {
            let r = read_frames("x", &[("g.json".into(), garbage)], &ReadOptions::default());
            assert!(r.is_err());
        }
    }
}
