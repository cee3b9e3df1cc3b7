//! The evaluation link as a QR code: SVG drawn by the `qrcode` crate, inline in the page so it
//! prints with it (the page's CSS hides the rest when printing).

use qrcode::QrCode;
use qrcode::render::svg;

/// The link as an SVG element (no XML declaration, so it can sit inside HTML); empty if the
/// link is too long for a QR code, which a 64-digit token on any sane host is not.
pub fn svg_of(link: &str) -> String {
    let Ok(code) = QrCode::new(link.as_bytes()) else {
        return String::new();
    };
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build();
    // The SVG is ours, made from the link's bits: no text of anyone's is in it.
    match image.find("<svg") {
        Some(start) => image[start..].to_owned(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_link_becomes_an_inline_svg() {
        let svg = super::svg_of("https://example.org/evaluate/0123456789abcdef");
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.trim_end().ends_with("</svg>"));
    }
}
