"""Real JPEG images for simulated cameras: a gradient with a caption, so each one differs."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw


def make_jpeg(caption: str, width: int = 640, height: int = 360, quality: int = 80) -> bytes:
    """Return a baseline JPEG showing ``caption`` on a gradient."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, height - 40, width, height), fill=(0, 0, 0))
    draw.text((10, height - 30), caption, fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()
