// Loaded before the Bootstrap Italia bundle, whose video.js would otherwise add a <style> element on
// load: the Content-Security-Policy (style-src 'self') blocks it, and no page of ours plays videos.
window.VIDEOJS_NO_DYNAMIC_STYLE = true;
