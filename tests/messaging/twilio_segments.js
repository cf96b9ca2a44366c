// Twilio's own segment calculator (npm sms-segments-calculator), for the cross-check in
// test_segments_twilio.py: a JSON array of texts on stdin, [encoding, segments] for each out.
const { SegmentedMessage } = require("sms-segments-calculator");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const out = JSON.parse(input).map((text) => {
    const message = new SegmentedMessage(text, "auto");
    return [message.encodingName, message.segmentsCount];
  });
  process.stdout.write(JSON.stringify(out));
});
