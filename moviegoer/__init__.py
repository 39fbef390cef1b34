"""moviegoer: turn films into structured data (frames, shot labels, dialogue scenes)."""

import os

# Keep FFmpeg's and OpenCV's decoder chatter off the user's terminal; they read these when cv2 is imported.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")

__version__ = "0.1.0"
