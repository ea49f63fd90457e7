<?xml version="1.0" encoding="UTF-8"?>
<!-- Shows feed.xml to a person who opens it in a browser; podcast apps ignore it.
     XSLT 1.0, the version browsers run. Like index.html, it links to the folder's files by
     relative URLs, so that it works from whatever address the folder is served at. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
    exclude-result-prefixes="atom itunes">
  <xsl:output method="html" encoding="UTF-8" indent="yes" doctype-system="about:legacy-compat"/>

  <!-- Every URL in the feed starts with the base URL, the feed's own address without "feed.xml". -->
  <xsl:variable name="base" select="substring-before(/rss/channel/atom:link[@rel='self']/@href, 'feed.xml')"/>

  <xsl:template match="/">
    <xsl:apply-templates select="rss/channel"/>
  </xsl:template>

  <xsl:template match="channel">
    <html lang="{language}">
      <head>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="color-scheme" content="light dark"/>
        <title><xsl:value-of select="title"/> (podcast feed)</title>
        <style>
          :root { color-scheme: light dark; --card: #fff; --muted: #5f5d66; --line: #e3e1dc; --accent: #5b3cc4; }
          @media (prefers-color-scheme: dark) {
            :root { --card: #1e1d23; --muted: #a9a6b3; --line: #33313a; --accent: #b3a1ff; }
          }
          body { margin: 0; font: 1rem/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
          main { max-width: 46rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
          a { color: var(--accent); }
          header { display: flex; flex-wrap: wrap; gap: 1.25rem; align-items: center; }
          header img { width: 7rem; height: 7rem; border-radius: 1rem; }
          header div { flex: 1 1 18rem; }
          h1 { font-size: 1.7rem; line-height: 1.2; margin: 0 0 .3rem; }
          h2 { font-size: 1.2rem; line-height: 1.3; margin: 0 0 .3rem; }
          .note, section { border: 1px solid var(--line); border-radius: 1rem; padding: 1rem 1.25rem;
            margin: 1.25rem 0; background: var(--card); }
          .note code { overflow-wrap: anywhere; user-select: all; }
          .meta { color: var(--muted); font-size: .9rem; margin: 0; }
          audio { width: 100%; margin-top: .5rem; }
        </style>
      </head>
      <body>
        <main>
          <header>
            <img src="{substring-after(image/url, $base)}" alt=""/>
            <div>
              <h1 dir="auto"><xsl:value-of select="title"/></h1>
              <p dir="auto"><xsl:value-of select="description"/></p>
            </div>
          </header>
          <p class="note">
            This is a podcast feed, meant for podcast apps. To subscribe, add its address to your app:
            <code><xsl:value-of select="atom:link[@rel='self']/@href"/></code>.
            Or <a href="./">listen in the browser</a>.
          </p>
          <xsl:apply-templates select="item"/>
        </main>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="item">
    <section>
      <h2 dir="auto"><xsl:value-of select="title"/></h2>
      <p class="meta">
        <!-- pubDate is RFC 822 with a two-digit day: "Fri, 27 Nov 2026 03:23:29 +0000" -->
        <xsl:value-of select="substring(pubDate, 6, 11)"/> ·
        <xsl:call-template name="clock">
          <xsl:with-param name="seconds" select="itunes:duration"/>
        </xsl:call-template>
      </p>
      <p dir="auto"><xsl:value-of select="description"/></p>
      <audio controls="" preload="none" src="{substring-after(enclosure/@url, $base)}"/>
    </section>
  </xsl:template>

  <!-- Seconds as h:mm:ss, or m:ss under an hour. -->
  <xsl:template name="clock">
    <xsl:param name="seconds"/>
    <xsl:variable name="hours" select="floor($seconds div 3600)"/>
    <xsl:variable name="minutes" select="floor($seconds mod 3600 div 60)"/>
    <xsl:choose>
      <xsl:when test="$hours &gt; 0">
        <xsl:value-of select="concat($hours, ':', format-number($minutes, '00'))"/>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$minutes"/></xsl:otherwise>
    </xsl:choose>
    <xsl:value-of select="concat(':', format-number($seconds mod 60, '00'))"/>
  </xsl:template>
</xsl:stylesheet>
