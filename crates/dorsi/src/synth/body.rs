//! The body model shared by every synthetic motion: landmark positions and segment
//! orientations of the lower limbs (and a simple upright trunk for keypoint layouts), in the
//! world frame x forward, y left, z up, metres.

use nalgebra::{Rotation3, Vector3};

/// Left or right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// The left side.
    Left,
    /// The right side.
    Right,
}

impl Side {
    /// Both sides, left first (the index order of [`BodyPose::legs`]).
    pub const BOTH: [Side; 2] = [Side::Left, Side::Right];

    /// `left` or `right`.
    pub fn name(self) -> &'static str {
        match self {
            Side::Left => "left",
            Side::Right => "right",
        }
    }

    /// 0 for left, 1 for right.
    pub fn index(self) -> usize {
        match self {
            Side::Left => 0,
            Side::Right => 1,
        }
    }

    /// +1 for left (the +y side), -1 for right.
    pub fn lateral_sign(self) -> f64 {
        match self {
            Side::Left => 1.0,
            Side::Right => -1.0,
        }
    }
}

/// A body segment that can carry a simulated IMU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment {
    /// The foot. Frame: x from heel to toe, y left, z up out of the dorsum.
    Foot,
    /// The shank. Frame: z from ankle to knee, x anterior, y left.
    Shank,
    /// The thigh. Frame: z from knee to hip, x anterior, y left.
    Thigh,
}

/// One leg at one instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LegPose {
    /// Hip joint centre, m.
    pub hip: Vector3<f64>,
    /// Knee joint centre, m.
    pub knee: Vector3<f64>,
    /// Ankle joint centre, m.
    pub ankle: Vector3<f64>,
    /// Back of the heel on the sole, m.
    pub heel: Vector3<f64>,
    /// Tip of the big toe on the sole, m.
    pub toe: Vector3<f64>,
    /// Thigh orientation (segment frame to world).
    pub thigh: Rotation3<f64>,
    /// Shank orientation (segment frame to world).
    pub shank: Rotation3<f64>,
    /// Foot orientation (segment frame to world).
    pub foot: Rotation3<f64>,
}

impl LegPose {
    /// The orientation of a segment.
    pub fn orientation(&self, segment: Segment) -> Rotation3<f64> {
        match segment {
            Segment::Foot => self.foot,
            Segment::Shank => self.shank,
            Segment::Thigh => self.thigh,
        }
    }

    /// The origin of a segment's frame: the heel for the foot, the ankle for the shank, the
    /// knee for the thigh.
    pub fn origin(&self, segment: Segment) -> Vector3<f64> {
        match segment {
            Segment::Foot => self.heel,
            Segment::Shank => self.ankle,
            Segment::Thigh => self.knee,
        }
    }

    /// Foot pitch, rad: positive with the toes up (the angle of the heel-to-toe line above
    /// the horizontal).
    pub fn foot_pitch_rad(&self) -> f64 {
        let d = self.toe - self.heel;
        d.z.atan2(d.xy().norm())
    }

    /// Sagittal ankle angle, rad: dorsiflexion positive, 0 with the shank perpendicular to
    /// the foot.
    pub fn ankle_angle_rad(&self) -> f64 {
        let foot_x = self.foot * Vector3::x();
        let shank_z = self.shank * Vector3::z();
        // 90° between the foot's long axis and the shank's axis is neutral.
        std::f64::consts::FRAC_PI_2 - foot_x.angle(&shank_z)
    }
}

/// The whole body at one instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BodyPose {
    /// Left leg, right leg.
    pub legs: [LegPose; 2],
    /// Mid-point between the shoulders, m.
    pub neck: Vector3<f64>,
    /// Nose, m.
    pub nose: Vector3<f64>,
    /// Left and right shoulder, m.
    pub shoulders: [Vector3<f64>; 2],
    /// Left and right elbow, m.
    pub elbows: [Vector3<f64>; 2],
    /// Left and right wrist, m.
    pub wrists: [Vector3<f64>; 2],
}

impl BodyPose {
    /// The leg of one side.
    pub fn leg(&self, side: Side) -> &LegPose {
        &self.legs[side.index()]
    }

    /// Mid-point between the hips, m.
    pub fn pelvis(&self) -> Vector3<f64> {
        (self.legs[0].hip + self.legs[1].hip) / 2.0
    }
}

/// Anything that moves a body over time: a walk, an exercise session.
pub trait Motion {
    /// The pose at time `t_s` (0 ≤ t ≤ duration).
    fn pose(&self, t_s: f64) -> BodyPose;
    /// Duration, s.
    fn duration_s(&self) -> f64;
    /// One leg at time `t_s`. Override when a leg is cheaper to compute than the whole
    /// body (IMU simulation asks for one leg three times per sample).
    fn leg(&self, t_s: f64, side: Side) -> LegPose {
        self.pose(t_s).legs[side.index()]
    }
    /// A segment's orientation and frame origin at `t_s`. Override when one segment is
    /// cheaper than the whole leg (a foot sensor needs only the foot).
    fn segment(&self, t_s: f64, side: Side, segment: Segment) -> (Rotation3<f64>, Vector3<f64>) {
        let leg = self.leg(t_s, side);
        (leg.orientation(segment), leg.origin(segment))
    }
    /// Standard deviation of the vibration a foot sensor feels at `t_s` (a toe dragging on the
    /// floor), m/s²; 0 when the foot touches nothing it slides on.
    fn drag_vibration_mps2(&self, t_s: f64, side: Side) -> f64 {
        let _ = (t_s, side);
        0.0
    }
}

/// Segment lengths and foot geometry of the simulated person (adult anthropometry after
/// Winter, *Biomechanics and Motor Control of Human Movement*, 4th ed., 2009, table 4.1, for a
/// 1.75 m person: thigh 0.245 H, shank 0.246 H, foot 0.152 H).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Anthropometry {
    /// Body height, m.
    pub height_m: f64,
    /// Thigh length (hip to knee), m.
    pub thigh_m: f64,
    /// Shank length (knee to ankle), m.
    pub shank_m: f64,
    /// Foot length (heel to toe tip), m.
    pub foot_m: f64,
    /// Ankle joint centre in the foot frame (from the heel on the sole), m.
    pub ankle_in_foot_m: Vector3<f64>,
    /// Distance between the hip joint centres, m.
    pub hip_width_m: f64,
}

impl Default for Anthropometry {
    fn default() -> Self {
        let h = 1.75;
        Anthropometry {
            height_m: h,
            thigh_m: 0.245 * h,
            shank_m: 0.246 * h,
            foot_m: 0.152 * h,
            ankle_in_foot_m: Vector3::new(0.06, 0.0, 0.075),
            hip_width_m: 0.18,
        }
    }
}

impl Anthropometry {
    /// The whole body from its legs: a simple upright trunk, head and arms above the
    /// mid-point of the hips, facing `heading`, with the arms swinging by `arm_swing_rad`
    /// (positive: left arm forward).
    pub fn body_pose(
        &self,
        legs: [LegPose; 2],
        heading: Rotation3<f64>,
        arm_swing_rad: f64,
    ) -> BodyPose {
        let h = self.height_m;
        let pelvis = (legs[0].hip + legs[1].hip) / 2.0;
        let neck = pelvis + heading * Vector3::new(0.0, 0.0, 0.30 * h);
        let nose = neck + heading * Vector3::new(0.08, 0.0, 0.10 * h);
        let mut shoulders = [Vector3::zeros(); 2];
        let mut elbows = [Vector3::zeros(); 2];
        let mut wrists = [Vector3::zeros(); 2];
        for side in Side::BOTH {
            let i = side.index();
            let s = neck + heading * Vector3::new(0.0, side.lateral_sign() * 0.11 * h, -0.03 * h);
            let swing = arm_swing_rad * side.lateral_sign();
            let arm = heading * Rotation3::from_axis_angle(&Vector3::y_axis(), -swing);
            shoulders[i] = s;
            elbows[i] = s + arm * Vector3::new(0.0, 0.0, -0.186 * h);
            wrists[i] = elbows[i] + arm * Vector3::new(0.05, 0.0, -0.146 * h);
        }
        BodyPose {
            legs,
            neck,
            nose,
            shoulders,
            elbows,
            wrists,
        }
    }
}
