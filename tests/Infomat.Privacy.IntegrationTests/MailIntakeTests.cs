using System.Text;

using Infomat.Privacy.Adapters.Mail;
using Infomat.Privacy.Intake;
using Infomat.Privacy.Requests;

using MimeKit;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>Reading and classifying mail to info@infomat.eu: the corpus in MailCorpus/ and the MIME limits.</summary>
public sealed class MailIntakeTests
{
    private static readonly string Corpus = Path.Combine(AppContext.BaseDirectory, "MailCorpus");

    public static TheoryData<string, string, string, string> Expected()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var line in File.ReadAllLines(Path.Combine(Corpus, "expected.tsv")).Where(l => !l.StartsWith('#')))
        {
            var f = line.Split('\t');
            data.Add(f[0], f[1], f[2], f[3]);
        }

        return data;
    }

    [Fact]
    public void The_corpus_has_at_least_40_mails_in_three_languages_covering_every_verdict_and_type()
    {
        var rows = Expected().Select(r => ((string)r[1], (string)r[2])).ToList();
        Assert.True(rows.Count >= 40, $"{rows.Count} mails");
        Assert.Equal(Enum.GetNames<MailVerdictKind>().Order(), rows.Select(r => r.Item1).Distinct().Order());
        Assert.Equal(RequestTypes.WireValues.Order(), rows.Where(r => r.Item1 == "Request").Select(r => r.Item2).Distinct().Order());
    }

    [Theory]
    [MemberData(nameof(Expected))]
    public void Each_mail_of_the_corpus_gets_its_verdict(string file, string verdict, string type, string dmarc)
    {
        using var stream = File.OpenRead(Path.Combine(Corpus, file));
        var mail = InboundMailReader.Read(stream, DateTimeOffset.UtcNow);
        var result = MailClassifier.Classify(mail);

        Assert.True(verdict == result.Kind.ToString(), $"{file}: expected {verdict}, got {result.Kind} ({result.Reason})");
        if (verdict == "Request")
        {
            Assert.Equal(type, result.Type!.Value.ToWire());
        }

        Assert.Equal(dmarc, mail.Dmarc.ToString().ToLowerInvariant());
        Assert.False(string.IsNullOrWhiteSpace(result.Reason));
    }

    [Theory]
    [InlineData("access-nl.eml", Language.Nl)]
    [InlineData("access-fr.eml", Language.Fr)]
    [InlineData("access-en.eml", Language.En)]
    [InlineData("erasure-html.eml", Language.Nl)]
    public void The_language_is_the_one_the_mail_is_written_in(string file, Language language)
    {
        using var stream = File.OpenRead(Path.Combine(Corpus, file));
        Assert.Equal(language, MailClassifier.Classify(InboundMailReader.Read(stream, DateTimeOffset.UtcNow)).Language);
    }

    [Fact]
    public void The_requester_is_the_from_address_never_the_reply_to()
    {
        var message = Message("Verwijder mijn gegevens, recht op vergetelheid.");
        message.ReplyTo.Add(new MailboxAddress("Attacker", "attacker@example.net"));
        var mail = Read(message);
        Assert.Equal("an.peeters@example.be", mail.FromAddress);
    }

    [Fact]
    public void A_forged_authentication_result_below_the_tenants_own_is_not_believed()
    {
        var message = Message("Inzage in mijn gegevens graag.");
        message.Headers.Add("Authentication-Results", "attacker.example; dmarc=pass");
        message.Headers.Insert(0, new Header("Authentication-Results", "spf=fail smtp.mailfrom=example.be; dmarc=fail action=quarantine header.from=example.be"));
        Assert.Equal(DmarcVerdict.Fail, Read(message).Dmarc);
    }

    [Theory]
    [InlineData(null, "spf=pass smtp.mailfrom=example.be; dkim=pass header.d=example.be; dmarc=pass action=none header.from=example.be", DmarcVerdict.Pass)]
    [InlineData(null, "spf=fail smtp.mailfrom=example.be; dmarc=fail action=quarantine header.from=example.be", DmarcVerdict.Fail)]
    [InlineData("infomat.eu", "infomat.eu; spf=pass smtp.mailfrom=example.be; dmarc=pass header.from=example.be", DmarcVerdict.Pass)]
    // Exchange Online's older form: its authserv-id after each method.
    [InlineData("INFOMAT.EU", "infomat.eu; dmarc=pass header.from=EXAMPLE.BE", DmarcVerdict.Pass)]
    [InlineData("infomat.eu", "spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=example.be; infomat.eu; dkim=pass (signature was verified) header.d=example.be;infomat.eu; dmarc=pass action=none header.from=example.be;infomat.eu; compauth=pass reason=100", DmarcVerdict.Pass)]
    // The verdict is about another domain than the From address's.
    [InlineData(null, "spf=pass smtp.mailfrom=attacker.example; dmarc=pass action=none header.from=attacker.example", DmarcVerdict.None)]
    // No header.from: nothing says which domain passed.
    [InlineData(null, "spf=pass smtp.mailfrom=example.be; dmarc=pass action=none", DmarcVerdict.None)]
    // Written by another service than the tenant's.
    [InlineData("infomat.eu", "attacker.example; dmarc=pass header.from=example.be", DmarcVerdict.None)]
    [InlineData(null, "attacker.example; dmarc=pass header.from=example.be", DmarcVerdict.None)]
    [InlineData("infomat.eu", "spf=pass smtp.mailfrom=example.be; dmarc=pass action=none header.from=example.be", DmarcVerdict.None)]
    // "dmarc=pass" in a comment or a value is not a DMARC result.
    [InlineData(null, "spf=fail (dmarc=pass) smtp.mailfrom=example.be", DmarcVerdict.None)]
    [InlineData(null, "spf=fail smtp.mailfrom=dmarc=pass@example.be", DmarcVerdict.None)]
    // Two DMARC results: which is believed is not ours to guess.
    [InlineData(null, "dmarc=fail header.from=example.be; dmarc=pass header.from=example.be", DmarcVerdict.None)]
    // Not a parseable header at all.
    [InlineData(null, "dmarc=pass header.from=example.be; ((", DmarcVerdict.None)]
    public void The_dmarc_verdict_is_believed_only_from_the_tenants_own_header_about_the_from_domain(string? authServId, string header, DmarcVerdict expected)
    {
        var message = Message("Inzage in mijn gegevens graag.");
        message.Headers.Insert(0, new Header("Authentication-Results", header));
        Assert.Equal(expected, Read(message, authServId: authServId).Dmarc);
    }

    [Fact]
    public void The_intakes_parser_believes_the_tenant_named_in_Mail_AuthServId()
    {
        var message = Message("Inzage in mijn gegevens graag.");
        message.Headers.Insert(0, new Header("Authentication-Results", "mx.infomat.eu; dmarc=pass header.from=example.be"));
        using var stream = new MemoryStream();
        message.WriteTo(stream);
        var named = new MimeKitInboundMailParser(Microsoft.Extensions.Options.Options.Create(new MailOptions { AuthServId = "mx.infomat.eu" }));
        var unnamed = new MimeKitInboundMailParser(Microsoft.Extensions.Options.Options.Create(new MailOptions()));
        stream.Position = 0;
        Assert.Equal(DmarcVerdict.Pass, named.Parse(stream, DateTimeOffset.UtcNow).Dmarc);
        stream.Position = 0;
        Assert.Equal(DmarcVerdict.None, unnamed.Parse(stream, DateTimeOffset.UtcNow).Dmarc);
    }

    [Fact]
    public void A_message_with_two_from_mailboxes_is_never_domain_verified()
    {
        var message = Message("Inzage in mijn gegevens graag.");
        message.From.Add(new MailboxAddress("Someone Else", "someone@example.be"));
        message.Headers.Insert(0, new Header("Authentication-Results", "spf=pass smtp.mailfrom=example.be; dmarc=pass action=none header.from=example.be"));
        Assert.Equal(DmarcVerdict.None, Read(message).Dmarc);
    }

    [Fact]
    public void Messages_beyond_the_limits_are_not_read_but_keep_their_sender_and_subject_for_staff()
    {
        var big = Message(new string('x', 2 * 1024 * 1024));
        var read = Read(big, new InboundMailLimits(MaxBytes: 1024 * 1024));
        Assert.Equal(CodedReason.Of("RefusedTooLarge", "1").Encode(), read.RefusedReason?.Encode());
        Assert.Equal(("an.peeters@example.be", "AVG", ""), (read.FromAddress, read.Subject, read.Body));

        var deep = Message("hello");
        MimeEntity body = new TextPart("plain") { Text = "deep" };
        for (var i = 0; i < 12; i++)
        {
            body = new Multipart("mixed") { body };
        }

        deep.Body = body;
        Assert.Equal(CodedReason.Of("RefusedTooDeep", "8").Encode(), Read(deep).RefusedReason?.Encode());

        var many = Message("hello");
        var multipart = new Multipart("mixed");
        for (var i = 0; i < 150; i++)
        {
            multipart.Add(new TextPart("plain") { Text = "part " + i });
        }

        many.Body = multipart;
        Assert.Equal(CodedReason.Of("RefusedTooManyParts", "100").Encode(), Read(many).RefusedReason?.Encode());
        Assert.Null(Read(Message("hello")).RefusedReason);

        var unreadable = Assert.Throws<InboundMailRejectedException>(() => InboundMailReader.Read(new MemoryStream("not a message at all"u8.ToArray()), DateTimeOffset.UtcNow));
        Assert.Equal(CodedReason.Of("Unreadable").Encode(), unreadable.Reason.Encode());
    }

    [Theory]
    [InlineData("\r\n", 0)]
    [InlineData("\r\n", 1)]
    [InlineData("\r\n", 2)]
    [InlineData("\r\n", 3)]
    [InlineData("\r\n", 5)]
    [InlineData("\n", 0)]
    [InlineData("\n", 1)]
    [InlineData("\n", 2)]
    public void A_message_too_large_keeps_its_sender_wherever_its_headers_end_and_however_it_arrives(string newline, int endBeforeSeam)
    {
        // The reader buffers a message in pooled blocks of 128 KB (issue 21 item 4, decision 91): the blank line that ends
        // the headers may fall across two blocks, and a network stream gives a few kilobytes per read. Staff must still
        // get the sender and subject of a message refused as too large.
        const int Block = 128 * 1024;
        var head = new StringBuilder();
        for (var i = 0; head.Length < Block - 2000; i++)
        {
            head.Append("Received: from relay").Append(i).Append(".example.net by mx.infomat.eu; Wed, 2 Dec 2026 10:00:00 +0100").Append(newline);
        }

        head.Append("From: An Peeters <an.peeters@example.be>").Append(newline).Append("Subject: AVG").Append(newline);
        // A last header padded so that the blank line (newline twice) starts endBeforeSeam bytes before the first seam.
        var pad = Block - endBeforeSeam - head.Length - "X-Pad: ".Length;
        head.Append("X-Pad: ").Append('p', pad).Append(newline).Append(newline);
        Assert.Equal(Block - endBeforeSeam + (2 * newline.Length), head.Length);
        var bytes = Encoding.ASCII.GetBytes(head.Append(new string('x', 2 * 1024 * 1024)).ToString());

        var read = InboundMailReader.Read(new Trickle(bytes), DateTimeOffset.UtcNow, new InboundMailLimits(MaxBytes: 1024 * 1024));

        Assert.Equal(CodedReason.Of("RefusedTooLarge", "1").Encode(), read.RefusedReason?.Encode());
        Assert.Equal(("an.peeters@example.be", "AVG", ""), (read.FromAddress, read.Subject, read.Body));
        // No Message-ID: the id is the hash of the bytes read before the refusal (the same bytes on a second arrival).
        Assert.Equal(read.MessageId, InboundMailReader.Read(new Trickle(bytes), DateTimeOffset.UtcNow, new InboundMailLimits(MaxBytes: 1024 * 1024)).MessageId);
        Assert.Matches("^[0-9a-f]{64}$", read.MessageId);
    }

    [Fact]
    public void A_message_too_large_whose_headers_never_end_is_refused_unread()
    {
        // Line breaks that never make a blank line: no header block to read the sender from, so staff get a triage mail
        // saying the mail could not be read (MailIntake), and the reader stops at the limit.
        var text = new StringBuilder("From: An Peeters <an.peeters@example.be>\r\nX: a");
        while (text.Length < 2 * 1024 * 1024)
        {
            text.Append("\r\n\r");
        }

        var refused = Assert.Throws<InboundMailRejectedException>(() =>
            InboundMailReader.Read(new Trickle(Encoding.ASCII.GetBytes(text.ToString())), DateTimeOffset.UtcNow, new InboundMailLimits(MaxBytes: 1024 * 1024)));
        // Both reasons, so that staff know why no sender is shown: too large, and no header block to read.
        Assert.Equal(CodedReason.Of("RefusedTooLarge", "1").Then("Unreadable").Encode(), refused.Reason.Encode());
    }

    [Fact]
    public void A_message_without_a_message_id_is_known_by_the_hash_of_its_bytes()
    {
        var message = Message("Inzage in mijn gegevens graag.");
        message.Headers.Remove(HeaderId.MessageId);
        using var stream = new MemoryStream();
        message.WriteTo(stream);
        var bytes = stream.ToArray();

        var read = InboundMailReader.Read(new Trickle(bytes), DateTimeOffset.UtcNow);

        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), read.MessageId);
    }

    /// <summary>A network stream: not seekable, and each read gives at most a few kilobytes.</summary>
    private sealed class Trickle(byte[] bytes) : Stream
    {
        private int position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(Math.Min(count, 3001), bytes.Length - position);
            Array.Copy(bytes, position, buffer, offset, n);
            position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public void A_sender_name_or_subject_cannot_add_lines_to_a_staff_page_and_is_bounded()
    {
        // Issue 18, item 8: a display name with line breaks turned into <br> on staff pages and could fake a
        // "Channel: dmarc=pass" line; a name has no length limit of its own in a mail.
        var message = Message("Ik wil inzage in mijn gegevens.");
        message.From.Clear();
        message.From.Add(new MailboxAddress("An Peeters\r\nChannel: dmarc=pass\u0007" + new string('x', 500), "an.peeters@example.be"));
        message.Subject = "AVG\nEvidence: verified-link\t" + new string('y', 1000);

        var mail = Read(message);

        Assert.DoesNotContain(mail.FromName!, c => char.IsControl(c));
        Assert.DoesNotContain(mail.Subject, c => char.IsControl(c));
        Assert.StartsWith("An Peeters Channel: dmarc=pass", mail.FromName, StringComparison.Ordinal);
        Assert.True(mail.FromName!.Length <= InboundMailReader.MaxNameChars, $"{mail.FromName.Length} characters");
        Assert.True(mail.Subject.Length <= InboundMailReader.MaxSubjectChars, $"{mail.Subject.Length} characters");
    }

    private static MimeMessage Message(string text)
    {
        var message = new MimeMessage { Subject = "AVG", Body = new TextPart("plain") { Text = text } };
        message.From.Add(new MailboxAddress("An Peeters", "an.peeters@example.be"));
        message.To.Add(new MailboxAddress("Infomat", "info@infomat.eu"));
        return message;
    }

    private static InboundMail Read(MimeMessage message, InboundMailLimits? limits = null, string? authServId = null)
    {
        using var stream = new MemoryStream();
        message.WriteTo(stream);
        stream.Position = 0;
        return InboundMailReader.Read(stream, DateTimeOffset.UtcNow, limits, authServId);
    }
}
