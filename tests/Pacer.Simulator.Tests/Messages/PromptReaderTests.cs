using System.Text.Json;
using Pacer.Simulator.Messages;

namespace Pacer.Simulator.Tests.Messages;

public sealed class PromptReaderTests
{
    private static Prompt Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        return PromptReader.Read(document.RootElement);
    }

    [Fact]
    public void Read_OneShortMessage_CountsFramingAndText()
    {
        var prompt = Read("""{"messages":[{"role":"user","content":"Hello there"}]}""");

        prompt.TotalTokens.ShouldBe(3 + 4 + 4); // request and message framing, Hello (2) there (2)
    }

    [Fact]
    public void Read_ToolsImagesAndBlocks_CountsEachPart()
    {
        var prompt = Read("""
            {"tools":[{"name":"get","description":"d","input_schema":{"type":"object"}}],
             "messages":[{"role":"user","content":[
               {"type":"text","text":"look"},
               {"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}}]}]}
            """);

        var toolText = """{"name":"get","description":"d","input_schema":{"type":"object"}}""";
        prompt.TotalTokens.ShouldBe(3 + 300 + TokenCounter.Count(toolText) + 8 + 4 + 1 + 1600);
    }

    [Fact]
    public void Read_CacheControl_MarksTheBlockWithItsLifetime()
    {
        var prompt = Read("""{"system":[{"type":"text","text":"rules","cache_control":{"type":"ephemeral","ttl":"1h"}}],"messages":[{"role":"user","content":"hi"}]}""");

        prompt.Parts[0].CacheTtl.ShouldBe(TimeSpan.FromHours(1));
        prompt.Parts.Skip(1).ShouldAllBe(p => p.CacheTtl == null);
    }

    [Fact]
    public void Fingerprint_DifferentPrompts_Differ() =>
        Read("""{"messages":[{"role":"user","content":"a"}]}""").Fingerprint()
            .ShouldNotBe(Read("""{"messages":[{"role":"user","content":"b"}]}""").Fingerprint());
}
