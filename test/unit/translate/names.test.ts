/** GB/T 28039 pinyin of Chinese names, passport style (compound surnames, ü → YU after l/n). */
import { expect } from 'chai';
import { addPinyinNames, EN_REPRESENTATION, splitName, toPinyinName } from '../../../src/translate/names.js';

describe('translate/names: GB/T 28039 pinyin', () => {
  const table: [string, string][] = [
    ['欧阳娜娜', 'OUYANG NANA'], // compound surname joined
    ['吕布', 'LYU BU'], // ü after l → YU (passport)
    ['张三', 'ZHANG SAN'],
    ['女娲', 'NYU WA'], // ü after n → YU
    ['徐静', 'XU JING'], // ü after x is written u
    ['单雄信', 'SHAN XIONGXIN'], // surname reading of 单, given name syllables joined
    ['曾国藩', 'ZENG GUOFAN'], // surname reading of 曾
    ['司马光', 'SIMA GUANG'],
    ['诸葛亮', 'ZHUGE LIANG'],
  ];
  for (const [hanzi, expected] of table) {
    it(`${hanzi} → ${expected}`, () => expect(toPinyinName({ text: hanzi })?.text).to.equal(expected));
  }

  it('uses the family/given split the hospital sent', () => {
    expect(toPinyinName({ family: '吕', given: ['淑珍'] })).to.deep.equal({ family: 'LYU', given: ['SHUZHEN'], text: 'LYU SHUZHEN' });
  });

  it('splits compound surnames only when a given name remains', () => {
    expect(splitName('欧阳建国')).to.deep.equal({ family: '欧阳', given: '建国' });
    expect(splitName('欧阳')).to.deep.equal({ family: '欧', given: '阳' });
  });

  it('leaves Latin-letter names alone', () => {
    expect(toPinyinName({ family: 'Thompson', given: ['Emily'] })).to.equal(undefined);
  });

  it('adds the pinyin HumanName (ABC) and tags the hanzi one (IDE), once', () => {
    const names: unknown[] = [{ use: 'official', text: '欧阳建国', family: '欧阳', given: ['建国'] }];
    expect(addPinyinNames(names)).to.deep.equal([0]);
    expect(names).to.have.length(2);
    expect(names[0]).to.deep.include({ text: '欧阳建国', family: '欧阳' });
    expect((names[0] as { extension: unknown[] }).extension).to.deep.equal([{ url: EN_REPRESENTATION, valueCode: 'IDE' }]);
    expect(names[1]).to.deep.equal({ extension: [{ url: EN_REPRESENTATION, valueCode: 'ABC' }], use: 'official', text: 'OUYANG JIANGUO', family: 'OUYANG', given: ['JIANGUO'] });
    expect(addPinyinNames(names)).to.deep.equal([]);
    expect(names).to.have.length(2);
  });
});
