using System.Text;
using Pacer.Http;
using Pacer.Limiting;

namespace Pacer.Tests.Http;

public sealed class BodyReadingTests
{
    [Theory]
    [InlineData("""{"model":"claude-opus-4-1","max_tokens":1024,"messages":[]}""", "claude-opus-4-1", 1024, false, null)]
    [InlineData("""{"messages":[{"role":"user","content":[{"type":"text","text":"{\"model\":\"fake\"}"}]}],"stream":true,"model":"m","max_tokens":5}""", "m", 5, true, null)]
    [InlineData("""{"model":"m","max_tokens":10,"metadata":{"user_id":"u-42"},"stream":false}""", "m", 10, false, "u-42")]
    [InlineData("""{"model":"m","metadata":{"other":{"user_id":"no"},"user_id":""}}""", "m", 0, false, null)]
    [InlineData("""{"model":"m","max_tokens":99999999999}""", "m", int.MaxValue, false, null)]
    [InlineData("""{"model":7,"max_tokens":"ten","stream":"yes"}""", "", 0, false, null)]
    [InlineData("""[1,2,3]""", "", 0, false, null)]
    [InlineData("""{"model":"m", broken""", "", 0, false, null)]
    [InlineData("", "", 0, false, null)]
    public void RequestFacts_Read_FindsTheFourFieldsAndNothingElse(string body, string model, int maxTokens, bool stream, string? userId) =>
        RequestFacts.Read(Encoding.UTF8.GetBytes(body)).ShouldBe(new RequestFacts(model, maxTokens, stream, userId));

    [Fact]
    public void UsageReader_MessageBody_ReadsTopLevelUsageOnly()
    {
        var body = """{"id":"msg","content":[{"type":"tool_use","input":{"usage":{"input_tokens":999}}}],"usage":{"input_tokens":12,"output_tokens":34,"cache_creation_input_tokens":5,"cache_read_input_tokens":6,"cache_creation":{"ephemeral_5m_input_tokens":5},"server_tool_use":null}}""";
        var usage = default(UsageAccumulator);

        UsageReader.TryRead(Encoding.UTF8.GetBytes(body), ref usage).ShouldBeTrue();

        usage.ToUsage().ShouldBe(new TokenUsage(12, 34, 5, 6));
    }

    [Theory]
    [InlineData("""{"id":"msg"}""")]
    [InlineData("""{"usage":null}""")]
    [InlineData("not json")]
    public void UsageReader_NoUsage_ReportsNone(string body)
    {
        var usage = default(UsageAccumulator);

        UsageReader.TryRead(Encoding.UTF8.GetBytes(body), ref usage).ShouldBeFalse();
        usage.HasValue.ShouldBeFalse();
    }

    [Fact]
    public void UpstreamKeyId_IsAShortHashNeverTheKey()
    {
        using var request = new HttpRequestMessage();
        request.Headers.TryAddWithoutValidation("x-api-key", "sk-ant-api03-abc");

        var id = UpstreamKeyId.From(request.Headers);

        id.Length.ShouldBe(16);
        id.ShouldNotContain("abc");
        id.ShouldBe(UpstreamKeyId.Of("sk-ant-api03-abc"));
        id.ShouldNotBe(UpstreamKeyId.Of("sk-ant-api03-abd"));
    }

    [Fact]
    public void UpstreamKeyId_BearerToken_IdentifiesTheSameKey()
    {
        using var request = new HttpRequestMessage();
        request.Headers.TryAddWithoutValidation("authorization", "Bearer sk-ant-api03-abc");

        UpstreamKeyId.From(request.Headers).ShouldBe(UpstreamKeyId.Of("sk-ant-api03-abc"));
    }

    [Fact]
    public void UpstreamKeyId_NoKey_IsNone()
    {
        using var request = new HttpRequestMessage();

        UpstreamKeyId.From(request.Headers).ShouldBe(UpstreamKeyId.None);
    }
}
