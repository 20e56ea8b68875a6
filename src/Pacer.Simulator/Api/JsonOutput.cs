using System.Text.Encodings.Web;
using System.Text.Json;

namespace Pacer.Simulator.Api;

/// <summary>How the simulator writes JSON: like the real API, without escaping quotes, apostrophes or non-ASCII text.</summary>
internal static class JsonOutput
{
    public static JsonWriterOptions Options { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
