import * as assert from 'assert';
import { Analyzer } from '../../server/out/analysis';

// One call into a layer whose method reaches the same DynamoDB defect along two branches is one
// finding on the handler's call, not one per branch (a real voting service showed it twice). The
// updates overwrite (`SET a = :one`): a vote counted with `ADD` is a contribution, not BOLA (DG101).
const SOURCE = [
  'import boto3',
  'from flask import Flask, session',
  '',
  'app = Flask(__name__)',
  'ballots = boto3.resource("dynamodb").Table("ballots")',
  '',
  '',
  'class BallotStore:',
  '    def __init__(self):',
  '        self.table = ballots',
  '',
  '    def tally(self, ballot_id, choice):',
  '        if choice == 1:',
  '            self.table.update_item(Key={"ballot_id": ballot_id}, UpdateExpression="SET a = :one", ExpressionAttributeValues={":one": 1})',
  '        else:',
  '            self.table.update_item(Key={"ballot_id": ballot_id}, UpdateExpression="SET b = :one", ExpressionAttributeValues={":one": 1})',
  '',
  '',
  'store = BallotStore()',
  '',
  '',
  '@app.route("/ballots/<ballot_id>/owner", methods=["POST"])',
  'def tally(ballot_id):',
  '    voter = session["username"]',
  '    store.tally(ballot_id, 1)',
  '    return {"voter": voter}',
  '',
].join('\n');

describe('findings through a layer', function () {
  it('one squiggle for one defect reached along two paths of the layer', async function () {
    const analyzer = await Analyzer.create();
    const dg101 = analyzer.analyzeText(SOURCE).findings.filter((f) => f.rule === 'DG101');
    assert.strictEqual(dg101.length, 1, JSON.stringify(dg101.map((f) => [f.range.start, f.message])));
    assert.strictEqual(dg101[0]!.range.start.line, 24, 'anchored on the handler call `store.tally(...)`');
  });
});
